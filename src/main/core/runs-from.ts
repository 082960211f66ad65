/** Whether the module at `moduleUrl` runs from the TypeScript sources (tsx) rather than the build in out/main. */
export function runsFromSources(moduleUrl: string): boolean {
  return moduleUrl.endsWith('.ts');
}
