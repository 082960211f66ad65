import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';

// Number and date formatting for the PDF: fixed locale (en-GB grouping) so output does not
// depend on the machine that renders it.

const INT = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });
const ONE = new Intl.NumberFormat('en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

export const integer = (n: number): string => INT.format(n);

/** Minutes as hours with one decimal: "1,234.5 h". */
export const hoursText = (minutes: number): string => `${ONE.format(minutes / 60)} h`;

export const minutesText = (minutes: number | null): string => (minutes === null ? '–' : `${ONE.format(minutes)} min`);

export const percentText = (share0to100: number | null): string => (share0to100 === null ? '–' : `${INT.format(share0to100)} %`);

export function moneyText(amount: number, currency: string): string {
  try {
    return new Intl.NumberFormat('en-GB', { style: 'currency', currency, maximumFractionDigits: 0 }).format(amount);
  } catch {
    return `${INT.format(amount)} ${currency}`;
  }
}

const USD = new Intl.NumberFormat('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 4 });

/** LLM costs are always dollars (the providers' price lists): "$0.0123". */
export function usdText(amount: number): string {
  return `$${USD.format(amount)}`;
}

/** "2026-02-01 08:30 (Europe/Budapest)": the instant in the configured zone. */
export function generatedAtText(now: Date, zone: string): string {
  return `${format(new TZDate(now.getTime(), zone), 'yyyy-MM-dd HH:mm')} (${zone})`;
}
