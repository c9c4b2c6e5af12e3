-- One schema and one user per RocketMart service: no service can read
-- another's tables (SPEC §1). The MySQL image runs this once, when the
-- mysql-data volume is empty; `docker compose down -v` starts over.
--
-- The passwords are for the local compose run only; each service's DSN in
-- docker-compose.yml must match its line here (deploy's tests check it).
-- Each service creates its own tables at start-up (gorm AutoMigrate), hence
-- ALL PRIVILEGES on its own schema and nothing elsewhere.

CREATE DATABASE IF NOT EXISTS rocketmart_order CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_ai_ci;
CREATE USER IF NOT EXISTS 'order_svc'@'%' IDENTIFIED BY 'order-dev-password';
GRANT ALL PRIVILEGES ON rocketmart_order.* TO 'order_svc'@'%';

CREATE DATABASE IF NOT EXISTS rocketmart_payment CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_ai_ci;
CREATE USER IF NOT EXISTS 'payment_svc'@'%' IDENTIFIED BY 'payment-dev-password';
GRANT ALL PRIVILEGES ON rocketmart_payment.* TO 'payment_svc'@'%';

CREATE DATABASE IF NOT EXISTS rocketmart_inventory CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_ai_ci;
CREATE USER IF NOT EXISTS 'inventory_svc'@'%' IDENTIFIED BY 'inventory-dev-password';
GRANT ALL PRIVILEGES ON rocketmart_inventory.* TO 'inventory_svc'@'%';

CREATE DATABASE IF NOT EXISTS rocketmart_logistics CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_ai_ci;
CREATE USER IF NOT EXISTS 'logistics_svc'@'%' IDENTIFIED BY 'logistics-dev-password';
GRANT ALL PRIVILEGES ON rocketmart_logistics.* TO 'logistics_svc'@'%';

CREATE DATABASE IF NOT EXISTS rocketmart_points CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_ai_ci;
CREATE USER IF NOT EXISTS 'points_svc'@'%' IDENTIFIED BY 'points-dev-password';
GRANT ALL PRIVILEGES ON rocketmart_points.* TO 'points_svc'@'%';

CREATE DATABASE IF NOT EXISTS rocketmart_cart CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_ai_ci;
CREATE USER IF NOT EXISTS 'cart_svc'@'%' IDENTIFIED BY 'cart-dev-password';
GRANT ALL PRIVILEGES ON rocketmart_cart.* TO 'cart_svc'@'%';
