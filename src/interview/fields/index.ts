import { addressField } from './address.js';
import { choiceField } from './choice.js';
import { confirmField } from './confirm.js';
import { dateField } from './date.js';
import { genderField } from './gender.js';
import { idNumberField } from './idNumber.js';
import { moneyField } from './money.js';
import { nameField } from './name.js';
import { numberField } from './number.js';
import { phoneField } from './phone.js';
import { textField } from './text.js';
import { FIELD_TYPE_NAMES, type FieldType, type FieldTypeName } from './types.js';

export * from './types.js';
export { chineseNumber, parseChineseNumber } from './numerals.js';
export { parseIdNumber, idCheckChar, type IdNumberInfo } from './idNumber.js';
export { confirmChoices } from './confirm.js';
export { formatMoney } from './money.js';
export {
  addressField, choiceField, confirmField, dateField, genderField, idNumberField, moneyField, nameField, numberField, phoneField, textField,
};

/** Every field type of CONTRACT §3, by name. */
export const fieldTypes: Record<FieldTypeName, FieldType> = {
  text: textField,
  name: nameField,
  gender: genderField,
  date: dateField,
  idNumber: idNumberField,
  phone: phoneField,
  money: moneyField,
  number: numberField,
  choice: choiceField,
  confirm: confirmField,
  address: addressField,
};

export function getFieldType(name: FieldTypeName): FieldType;
export function getFieldType(name: string): FieldType | undefined;
export function getFieldType(name: string): FieldType | undefined {
  return (FIELD_TYPE_NAMES as readonly string[]).includes(name) ? fieldTypes[name as FieldTypeName] : undefined;
}
