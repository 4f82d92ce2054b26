"""Infrastructure as code: the AWS CDK app that deploys Report + Support."""
