WARNING: Scenario 'crm_search' status: Warning_Slow | 'crm_search~Search#scenario.metric.usage.milliseconds'=4200.75ms;;;;
exit 1
