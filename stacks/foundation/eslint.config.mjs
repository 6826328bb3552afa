import base from '../../eslint.config.mjs';
import { deepProviderImports } from '../../libs/infra/eslint.config.mjs';

export default [...base, deepProviderImports];
