import { contextBridge } from 'electron';

// The renderer's only door to the main process. The typed IPC contract is added with the console.
contextBridge.exposeInMainWorld('cogniforce', { transport: 'ipc' as const });
