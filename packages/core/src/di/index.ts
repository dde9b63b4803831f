export * from './container.js';
export * from './method-services.js';
export * from './tokens.js';
