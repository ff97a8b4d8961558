WARNING: Scenario 'crm_search' status: Warning_Slow - Scenario 'intranet_home' status: WARNING | 'crm_search~Search#scenario.metric.usage.milliseconds'=4200.75ms;;;; 'intranet_home~Launch#scenario.metric.usage.milliseconds'=2500ms;;;;
exit 1
