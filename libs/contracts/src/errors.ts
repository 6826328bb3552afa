import { z } from 'zod';

/**
 * Every error answer of every service has this shape: Fastify's own fields, plus the request id
 * and, for validation errors, one entry per offending field.
 */
export const ErrorResponseSchema = z.object({
  statusCode: z.number().int(),
  error: z.string().describe('HTTP reason phrase'),
  message: z.string(),
  requestId: z.string().optional(),
  issues: z
    .array(z.object({ path: z.string(), message: z.string() }))
    .optional()
    .describe('For 400/422: each field that failed validation'),
});
export type ErrorResponse = z.infer<typeof ErrorResponseSchema>;
