declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Serve this route without an API key (health checks, API documentation).
     * @default false
     */
    public?: boolean;
  }
}

export {};
