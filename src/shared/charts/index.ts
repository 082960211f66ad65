// Chart option builders shared by the console and the PDF report: pure functions of the
// contract's result types, no DOM and no echarts runtime.
export * from './types.ts';
export * from './trend.ts';
export * from './bars.ts';
export * from './with-ai.ts';
