package moat.auth.dmarc;

/** PLACEHOLDER (h-authwire, dropped on merge of h-dmarc). */
public enum DmarcPolicy { NONE, QUARANTINE, REJECT }
