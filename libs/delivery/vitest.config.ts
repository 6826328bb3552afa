import { defineProjectTests } from '../../vitest.shared.ts';

export default defineProjectTests();
