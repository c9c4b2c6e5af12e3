// Package deploy holds RocketMart's deployment files - the image recipe
// (docker/), the MySQL and RocketMQ set-up that the root docker-compose.yml
// mounts (mysql/, rocketmq/), the Kubernetes manifests (k8s/) - and, in its
// tests, the checks that keep them in step with the programs' source. It has
// no code of its own; healthcheck/ is the probe built into every image.
package deploy
