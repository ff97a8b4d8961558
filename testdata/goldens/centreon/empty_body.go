UNKNOWN: Cannot decode response: the response body is empty 
exit 3
