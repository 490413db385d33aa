"""The MTA-STS stack program (pulumi-mta-sts): `pulumi up` runs it with Pulumi.<stack>.yaml.

Its steps are pulumi_mta_sts.program.pipeline.main; `mta-sts plan --stack NAME` runs it offline.
"""

from pulumi_mta_sts.program.pipeline import main

main()
