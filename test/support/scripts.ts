import type { Script } from './directline-client.js';

/**
 * A whole zh-CN private-loan conversation by field id, with the slips real filers make (a
 * wrong ID check digit, "重复", confirmations of spoken amounts, a second defendant that is a
 * company). The scenario test plays it once; the benchmark plays it for every simulated filer.
 */
export const PRIVATE_LOAN_ZH: Script = {
  caseType: '借钱不还',
  'plaintiff.kind': '个人',
  // A wrong check digit first, then "repeat", then the right number.
  'plaintiff.name': '我叫张三',
  'plaintiff.idNumber': ['110105194912310021', '重复', '11010519491231002X'],
  'plaintiff.ethnicity': '汉族',
  'plaintiff.occupation': '退休',
  'plaintiff.address': '天津市北辰区果园新村街道富锦路12号3门101',
  'plaintiff.phone': '138 1234 5678',
  'defendant.kind': '个人',
  'defendant.name': '李四',
  'defendant.idNumber': '跳过',
  'defendant.gender': '男的',
  'defendant.birthDate': '不知道',
  'defendant.ethnicity': '跳过',
  'defendant.occupation': '个体户',
  'defendant.address': '天津市河北区中山路8号',
  'defendant.phone': '022-26881234',
  'defendant.more': '有',
  'defendant.more#1': '没有',
  'defendant.kind#1': '公司',
  'defendant.orgName#1': '天津某某建筑有限公司',
  'defendant.creditCode#1': '跳过',
  'defendant.representative#1': '王五，总经理',
  'defendant.address#1': '天津市北辰区京津路100号',
  'defendant.phone#1': '不知道',
  'loan.amount': ['五万', '对'],
  'loan.date': '2024年3月5日',
  'loan.method': '我是用微信转的',
  'loan.hasIou': '有',
  'loan.dueDate': '2024年12月31日',
  'loan.hasInterest': '有',
  'loan.rateUnit': '按年',
  'loan.rate': '6',
  'loan.repaidPrincipal': ['一万', '对'],
  'loan.repaidInterest': '零',
  'loan.demanded': '是的',
  'loan.hasGuarantee': '没有',
  'mediation.willing': '愿意',
  'preservation.requested': '不要',
  'relief.hardship': '没有',
  'review.confirm': '对',
};
