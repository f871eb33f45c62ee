-- nightly feature extract; row checksum guards against partial loads
SELECT customer_id,
       md5(concat_ws('|', email, plan, tenure)) AS row_md5,
       'd41d8cd98f00b204e9800998ecf8427e' AS empty_md5
FROM analytics.customers
WHERE snapshot_id = '0b5c6d2e-7a41-4a8e-9b43-0f6c2d9e8a17';
