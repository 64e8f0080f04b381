// @azure/functions is CommonJS: Node's ESM loader sees `app` as a named export but not the classes, which
// only the default export (module.exports) carries.
import azureFunctions from '@azure/functions';

export const { HttpRequest, InvocationContext } = azureFunctions;
