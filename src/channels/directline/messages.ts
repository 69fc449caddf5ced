export { apologyActivity } from '../apology.js';
