// Each module registers its tasks with Hardhat when imported.
import "./pay";
import "./queue";
import "./provenance";
import "./epcis";
