WARNING: Scenario 'intranet_home' status: WARNING | 'intranet_home~Launch#scenario.metric.usage.milliseconds'=1ms;;;;
exit 1
