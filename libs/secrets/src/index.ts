export { looksLikeSecretName, looksLikeSecretValue, SECRET_NAME_PATTERN } from './secrets.js';
