// The logger's injection token lives in libs/logging, which the web pages share (apps/web may not
// import apps/api); the API's modules take it from here.
export { LOGGER } from '@libs/logging';
