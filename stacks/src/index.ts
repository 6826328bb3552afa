export { defineDocflow, defineEnvironment, STACK_NAMES, type EnvironmentStacks } from './app.js';
export { readSettings, SettingsError, type SynthSettings } from './settings.js';
