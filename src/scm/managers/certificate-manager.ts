/**
 * Leader-side certificate issuance and revocation (§7, SPS getSCMCertChain; secure mode only). Nothing is
 * signed without a join token (managers/join-token-manager.ts):
 *   token checked (secret, state, kind) → request subject checked against the token's scope
 *   (ca/certificate-profiles.ts; an SCM's OU must be a fresh scmUuid: no ring member and no issued SCM
 *   certificate uses it) → the token's use replicated (a used-up token fails here, also in a race) →
 *   serials from the replicated CertificateId sequence → certificates built from the profile by this
 *   SCM's signer (root CA on the primordial, its sub-CA elsewhere) → recorded through the ring
 *   (`storeValidCertificate`: validCerts, + validSCMCerts for SCMs) → returned with chain and root.
 * Every issuance is logged with the caller's address and the token id; refusals too, at most once a second
 * per caller address and refusal code (with the count of those held back).
 * Revocation (decommission, `admin cert revoke`) is a replicated `revokeCertificate`; `isRevoked` is what
 * every port's authorization consults.
 */
import type { Clock } from '../../common/clock.js';
import { isCodedError } from '../../common/coded-error.js';
import type { Logger } from '../../common/logger.js';
import { checkRequest, checkRequestSubject, issueFromParsed, profileFor, type CertificateProfile } from '../ca/certificate-profiles.js';
import { certificateInfo, parseCsr, type ParsedCsr } from '../ca/forge-x509.js';
import type { IssuedCertificate } from '../ca/identity-store.js';
import type { CertificateSigner } from '../ca/scm-certificates.js';
import type { CertificateListing } from '../protocols/client-protocol.js';
import type { CertificateIssued, ScmCertificatesIssued } from '../protocols/security-protocol.js';
import { NotLeaderError } from '../replication/replication-error.js';
import type { Replicator } from '../replication/replicator.js';
import { SecurityError } from '../security/security-error.js';
import { RateLimitedLog } from '../transport/rate-limited-log.js';
import type { TokenScope } from '../state/join-token-records.js';
import type { CertRole } from '../state/records.js';
import type { ScmState } from '../state/scm-state.js';
import type { JoinTokenManager } from './join-token-manager.js';
import type { SequenceIdGenerator } from './sequence-id-generator.js';
import { ScmManagerError } from './manager-error.js';

const ROLE_OF: Readonly<Record<TokenScope['kind'], CertRole>> = { scm: 'SCM', admin: 'ADMIN', datanode: 'DATANODE', om: 'OM' };

export class CertificateManager {
  private readonly refusals: RateLimitedLog;

  constructor(
    private readonly replicator: Replicator,
    private readonly seq: SequenceIdGenerator,
    readonly signer: CertificateSigner,
    private readonly clusterId: string,
    private readonly scmUuid: string,
    private readonly state: () => ScmState,
    private readonly tokens: JoinTokenManager,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    this.refusals = new RateLimitedLog(logger, 1000, () => clock.now());
  }

  isRevoked(serial: string): boolean {
    return this.state().isRevoked(serial);
  }

  /** A joining SCM: its sub-CA and its host's admin identity, for one SCM token. */
  async issueScm(p: { token: string; csr: string; adminCsr: string }, caller: string, options: { signal?: AbortSignal } = {}): Promise<ScmCertificatesIssued> {
    return this.refusalsLogged(caller, 'SCM', async () => {
      const record = this.tokens.check(p.token, ['scm']);
      const scope = record.scope;
      const csr = parseCsr(p.csr);
      const scmUuid = csr.subject.OU ?? '';
      this.checkFreshScmUuid(scmUuid);
      const scmProfile = profileFor('scm', scope.host, this.clusterId, scmUuid);
      const adminProfile = profileFor('admin', scope.host, this.clusterId, scmUuid);
      // both requests are checked before the token is spent
      checkRequestSubject(csr.subject, scmProfile);
      const adminCsr = checkRequest(p.adminCsr, adminProfile);
      await this.tokens.use(record, options);
      const scm = await this.sign(csr, scmProfile, record.id, caller, options);
      const admin = await this.sign(adminCsr, adminProfile, record.id, caller, options);
      return { clusterId: this.clusterId, scmId: this.scmUuid, scm, admin };
    });
  }

  /** A datanode, OM or admin identity for the host its token names. */
  async issue(p: { token: string; csr: string }, caller: string, options: { signal?: AbortSignal } = {}): Promise<CertificateIssued> {
    return this.refusalsLogged(caller, 'identity', async () => {
      const record = this.tokens.check(p.token, ['datanode', 'om', 'admin']);
      const profile = profileFor(record.scope.kind, record.scope.host, this.clusterId);
      const csr = checkRequest(p.csr, profile);
      await this.tokens.use(record, options);
      return { ...(await this.sign(csr, profile, record.id, caller, options)), clusterId: this.clusterId };
    });
  }

  async revoke(serial: string, reason: string, by: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    if (!this.replicator.isLeaderReady()) throw new NotLeaderError(this.replicator.role(), this.replicator.leaderHint());
    const r = await this.replicator.submit({ type: 'revokeCertificate', serial, reason, at: this.clock.wallTime().getTime() }, options);
    if (!r.ok) throw new ScmManagerError('SCM_INVALID_ARGUMENT', `cannot revoke certificate ${serial}: ${r.message}`);
    this.logger.warn('certificate revoked', { serial, reason, by });
  }

  /** Serials of the certificates issued to (or with) SCM `scmUuid` — its sub-CA and its host's admin identity — not yet revoked. */
  certificatesOf(scmUuid: string): string[] {
    return [...this.state().validCerts.entries()].filter(([serial, pem]) => certificateInfo(pem).subject.OU === scmUuid && !this.isRevoked(serial)).map(([serial]) => serial);
  }

  /** Revokes every certificate of SCM `scmUuid` (a decommissioned member): its sub-CA and the admin identity issued with it. */
  async revokeScm(scmUuid: string, reason: string, by: string, options: { signal?: AbortSignal } = {}): Promise<string[]> {
    const serials = this.certificatesOf(scmUuid);
    for (const serial of serials) await this.revoke(serial, reason, by, options);
    return serials;
  }

  list(role?: CertRole): CertificateListing[] {
    const s = this.state();
    const revocations = s.revocations().serials;
    const out: CertificateListing[] = [];
    for (const [serial, pem] of s.validCerts) {
      const c = certificateInfo(pem);
      const certRole: CertRole = s.validSCMCerts.has(serial) ? 'SCM' : c.subject.CN.startsWith('admin@') ? 'ADMIN' : c.subject.CN.startsWith('om@') ? 'OM' : 'DATANODE';
      if (role && role !== certRole) continue;
      const dn = (d: { CN: string; OU?: string; O?: string }): string => [d.O && `O=${d.O}`, d.OU && `OU=${d.OU}`, `CN=${d.CN}`].filter(Boolean).join(', ');
      out.push({ serial, role: certRole, subject: dn(c.subject), issuer: dn(c.issuer), notBefore: c.notBefore.toISOString(), notAfter: c.notAfter.toISOString(), revoked: revocations[serial] ?? null });
    }
    return out.sort((a, b) => Number(BigInt(a.serial) - BigInt(b.serial)));
  }


  private checkFreshScmUuid(scmUuid: string): void {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(scmUuid)) {
      throw new SecurityError('CSR_SUBJECT_MISMATCH', `an SCM certificate request must carry the new SCM's scmUuid (a lower-case UUID) as OU, got ${JSON.stringify(scmUuid.slice(0, 64))}`);
    }
    const members = this.replicator.status().peers.map((p) => p.scmUuid.toLowerCase());
    const issued = [...this.state().validCerts.values()].map((pem) => certificateInfo(pem).subject.OU?.toLowerCase());
    if (members.includes(scmUuid) || issued.includes(scmUuid)) {
      throw new SecurityError('CSR_SUBJECT_MISMATCH', `scmUuid ${scmUuid} already belongs to an SCM of this cluster; a token gives a new SCM a new identity only`, {
        hint: 'a new SCM generates a fresh scmUuid at --bootstrap; a member that lost its files must be decommissioned and bootstrapped again',
      });
    }
  }

  private async sign(csr: ParsedCsr, profile: CertificateProfile, tokenId: string, caller: string, options: { signal?: AbortSignal }): Promise<IssuedCertificate> {
    if (!this.replicator.isLeaderReady()) throw new NotLeaderError(this.replicator.role(), this.replicator.leaderHint());
    const serial = String(await this.seq.next('CertificateId', options));
    const certPem = issueFromParsed(this.signer.ca, csr, profile, serial, this.clock.wallTime());
    const res = await this.replicator.submit({ type: 'storeValidCertificate', serial, pem: certPem, role: ROLE_OF[profile.kind] }, options);
    if (!res.ok) throw new ScmManagerError('SCM_ALLOCATION_FAILED', `could not record certificate ${serial}: ${res.message}`);
    const s = profile.subject;
    this.logger.info('certificate issued', { serial, kind: profile.kind, subject: `CN=${s.CN}${s.OU ? `, OU=${s.OU}` : ''}`, token: tokenId, caller });
    return { serial, certPem, chain: this.signer.chain, root: this.signer.root };
  }

  /** refusals are logged with the caller's address, at most once a second per caller address and code (a flood cannot fill the disk) */
  private async refusalsLogged<T>(caller: string, what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (!(err instanceof NotLeaderError)) {
        const code = isCodedError(err) ? err.code : 'INTERNAL';
        this.refusals.warn(`${code}:${caller.replace(/:\d+$/, '')}`, 'certificate request refused', { what, caller, code, reason: err instanceof Error ? err.message : String(err) });
      }
      throw err;
    }
  }
}
