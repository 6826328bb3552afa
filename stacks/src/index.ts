export { defineDocflow, defineEnvironment, defineGcpStacks, GCP_STACK_NAMES, STACK_NAMES, type EnvironmentStacks, type GcpStacks } from './app.js';
export { readSettings, SettingsError, type SynthSettings } from './settings.js';
