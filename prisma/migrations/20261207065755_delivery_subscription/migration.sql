-- AlterTable
ALTER TABLE "Delivery" ADD COLUMN "subscriptionId" INTEGER;
