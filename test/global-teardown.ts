export { stopStack as default } from './global-setup';
