export { defineDocflow, defineEnvironment, STACK_NAMES, type EnvironmentStacks } from './app.js';
export { environmentOf, readSettings, SettingsError, type SynthSettings } from './settings.js';
