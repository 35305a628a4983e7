import { constants } from 'node:os';

const SIGNAL_NUMBERS: Readonly<Record<string, number>> = constants.signals;

export const SIGTERM = SIGNAL_NUMBERS.SIGTERM ?? 15;
export const SIGKILL = SIGNAL_NUMBERS.SIGKILL ?? 9;

/**
 * Docker writes signals as numbers in kill events ("15") and as the user wrote
 * them in STOPSIGNAL ("SIGQUIT", "QUIT", "3"). Both become a number here;
 * undefined for anything unrecognised.
 */
export function signalNumber(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const text = raw.trim().toUpperCase();
  if (/^\d+$/.test(text)) return Number(text);
  return SIGNAL_NUMBERS[text.startsWith('SIG') ? text : `SIG${text}`];
}
