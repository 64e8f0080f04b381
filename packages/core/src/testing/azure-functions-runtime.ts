// `@azure/functions` is CommonJS and its classes are not visible to Node's named-export detection, so
// `import { HttpRequest } from '@azure/functions'` fails under plain Node ESM (it works only through
// bundlers and test runners). The default import is `module.exports`, which has them all.
import azureFunctions from '@azure/functions';

export const { HttpRequest, HttpResponse, InvocationContext } = azureFunctions;
