/**
 * `npm start`: starts what the environment configures. With no platform configured (the state of a
 * fresh clone) it runs the local console, so anyone can try the bot.
 */
import { runConsole } from './console/console.js';

const code = await runConsole({
  input: process.stdin,
  write: (s) => process.stdout.write(s),
  interactive: process.stdin.isTTY === true,
  color: process.stdout.isTTY === true && !process.env.NO_COLOR,
});
process.exitCode = code;
