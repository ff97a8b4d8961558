CRITICAL: Scenario 'eshop_checkout' status: CRITICAL_TIMEOUT | 'crm_login~Durée étape 2#scenario.metric.usage.milliseconds'=456.25ms;;;; 'crm_login~Step 1 - Home page#scenario.metric.usage.milliseconds'=1234.5ms;;;; 'eshop_checkout~Pay#scenario.metric.usage.milliseconds'=30000ms;;;;
exit 2
