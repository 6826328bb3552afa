/**
 * Facts about AWS WAF's managed rule groups that docflow's web ACL and its policy rules both use,
 * from AWS's own lists (WAF developer guide: "Baseline rule groups" for the core rule set and known
 * bad inputs, "Use-case specific rule groups" for SQL database; "Web ACL capacity units").
 */

/** The AWS managed rule groups every docflow web ACL runs, with what each stops and its capacity (WCUs). */
export const REQUIRED_MANAGED_RULE_GROUPS = {
  AWSManagedRulesAmazonIpReputationList: { stops: 'IP reputation', capacity: 25 },
  AWSManagedRulesCommonRuleSet: { stops: 'common rule set', capacity: 700 },
  AWSManagedRulesKnownBadInputsRuleSet: { stops: 'known bad inputs', capacity: 200 },
  AWSManagedRulesSQLiRuleSet: { stops: 'SQL injection', capacity: 200 },
} as const;
export type ManagedRuleGroupName = keyof typeof REQUIRED_MANAGED_RULE_GROUPS;

/**
 * The managed rules docflow may set to count and then block by their label outside one route, and
 * that label. AWS spells a label's rule part in its own case (`SizeRestrictions_BODY` labels
 * `...:SizeRestrictions_Body`), so it is written out, never derived.
 */
export const MANAGED_RULE_LABELS: Readonly<Partial<Record<ManagedRuleGroupName, Readonly<Record<string, string>>>>> = {
  AWSManagedRulesCommonRuleSet: {
    SizeRestrictions_BODY: 'awswaf:managed:aws:core-rule-set:SizeRestrictions_Body',
    CrossSiteScripting_BODY: 'awswaf:managed:aws:core-rule-set:CrossSiteScripting_Body',
    GenericLFI_BODY: 'awswaf:managed:aws:core-rule-set:GenericLFI_Body',
    GenericRFI_BODY: 'awswaf:managed:aws:core-rule-set:GenericRFI_Body',
    EC2MetaDataSSRF_BODY: 'awswaf:managed:aws:core-rule-set:EC2MetaDataSSRF_Body',
  },
  AWSManagedRulesKnownBadInputsRuleSet: {
    JavaDeserializationRCE_BODY: 'awswaf:managed:aws:known-bad-inputs:JavaDeserializationRCE_Body',
    Log4JRCE_BODY: 'awswaf:managed:aws:known-bad-inputs:Log4JRCE_Body',
  },
  AWSManagedRulesSQLiRuleSet: {
    SQLi_BODY: 'awswaf:managed:aws:sql-database:SQLi_Body',
    SQLiExtendedPatterns_BODY: 'awswaf:managed:aws:sql-database:SQLiExtendedPatterns_Body',
    SQLi_QUERYARGUMENTS: 'awswaf:managed:aws:sql-database:SQLi_QueryArguments',
    SQLiExtendedPatterns_QUERYARGUMENTS: 'awswaf:managed:aws:sql-database:SQLiExtendedPatterns_QueryArguments',
  },
};

/** The label AWS's managed `rule` of `group` adds; throws when docflow does not know it. */
export function managedRuleLabel(group: ManagedRuleGroupName, rule: string): string {
  const label = MANAGED_RULE_LABELS[group]?.[rule];
  if (label === undefined) throw new Error(`no known label for ${group} rule ${rule}: add it to MANAGED_RULE_LABELS from AWS's rule group list`);
  return label;
}

/** Capacity a web ACL's base price includes; above it WAF bills more, above 5,000 it refuses the ACL. */
export const WEB_ACL_INCLUDED_CAPACITY = 1_500;
