/**
 * Imported first by every test file: an unhandled rejection or uncaught exception anywhere in the
 * process (e.g. a driver 'error' event nobody heard) fails the run instead of passing silently.
 */
process.on('unhandledRejection', (reason) => {
  console.error('unhandled rejection:', reason);
  process.exitCode = 1;
  throw reason;
});
process.on('uncaughtException', (error) => {
  console.error('uncaught exception:', error);
  process.exit(1);
});
