export * from './call-features';
export * from './tool-advice';
