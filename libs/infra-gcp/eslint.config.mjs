import base, { googleProviderHere } from '../../eslint.config.mjs';
import { deepProviderImports } from '../../libs/infra/eslint.config.mjs';

// the Google provider belongs here (and the AWS provider does not): see the root configuration
export default [...base, deepProviderImports, googleProviderHere];
