
--- file
WARNING: Scenario 'intranet_home' status: WARNING | 'intranet_home~Launch#scenario.metric.usage.milliseconds'=2500ms;;;;
checking scenario 'intranet_home'
    status: WARNING
    metric 'Launch' value: 2500 ms
exit 1
