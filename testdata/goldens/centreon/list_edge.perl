List scenarios: 
[name = Alpha][id = 501][alias = ][display_name = Alpha	tab
line][app_name = -]
[name = alpha2][id = 503][alias = a2 & <x>][display_name = Alpha 2][app_name = -]
[name = beta][id = 502][alias = b][display_name = Beta][app_name = App]
[name = gamma][id = 504][alias = second][display_name = Gamma][app_name = App]
exit 0
