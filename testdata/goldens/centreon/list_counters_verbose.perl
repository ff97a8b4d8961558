counter list: formatted-metric status metric  
{
   "counter list": "formatted-metric status metric ",
   "metrics": {
      "formatted-metric": {
         "max": "",
         "min": "",
         "nlabel": "",
         "output_template": "",
         "unit": ""
      },
      "metric": {
         "max": "",
         "min": "",
         "nlabel": "",
         "output_template": "",
         "unit": ""
      },
      "status": {
         "max": "",
         "min": "",
         "nlabel": "",
         "output_template": "",
         "unit": ""
      }
   },
   "pack configuration": " --warning-formatted-metric='$_SERVICEWARNING_FORMATTED_METRIC$' --critical-formatted-metric='$_SERVICECRITICAL_FORMATTED_METRIC$' --warning-status='$_SERVICEWARNING_STATUS$' --critical-status='$_SERVICECRITICAL_STATUS$' --warning-metric='$_SERVICEWARNING_METRIC$' --critical-metric='$_SERVICECRITICAL_METRIC$' $_SERVICEEXTRA_OPTIONS$"
}
exit 0
