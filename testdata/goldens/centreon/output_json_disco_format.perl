{"data":["id","name","alias","display_name","app_name"]}
exit 0
