import { spawn } from 'node:child_process';
import { NOT_FOUND, type ProcessRunner } from './process-runner';

/** ProcessRunner over child_process.spawn: no shell, so arguments are never re-parsed. */
export const spawnRunner: ProcessRunner = {
  capture: (program, args) =>
    new Promise((resolve) => {
      const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.on('error', (err) => resolve({ code: NOT_FOUND, stdout, stderr: `${program}: ${err.message}` }));
      child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    }),
  passThrough: (program, args) =>
    new Promise((resolve) => {
      const child = spawn(program, args, { stdio: 'inherit' });
      child.on('error', () => resolve(NOT_FOUND));
      child.on('close', (code) => resolve(code ?? 1));
    }),
};
