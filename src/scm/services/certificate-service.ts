/**
 * Leader-side certificate signing for SCMs that bootstrap into a secure cluster (§7, SPS getSCMCertChain):
 * checks the cluster id ("SCM ClusterId mismatch. Peer SCM ClusterId X, primary SCM ClusterId Y"), takes
 * the serial from the replicated CertificateId sequence (batches of one), signs the PKCS#10 request with
 * this SCM's signer (root CA on the primordial, its sub-CA elsewhere), records the certificate through a
 * replicated `storeValidCertificate` (validCerts + validSCMCerts) and returns it with its chain and root.
 * Leader only.
 */
import { signCsr } from '../ca/certificate-authority.js';
import type { CertificateSigner, IssuedCertificate } from '../ca/scm-certificates.js';
import { NotLeaderError } from '../replication/replication-error.js';
import type { Replicator } from '../replication/replicator.js';
import type { SequenceIdGenerator } from './sequence-id-generator.js';
import { ScmServiceError } from './service-error.js';

export class CertificateService {
  constructor(
    private readonly replicator: Replicator,
    private readonly seq: SequenceIdGenerator,
    readonly signer: CertificateSigner,
    private readonly clusterId: string,
  ) {}

  async signScmCsr(csrPem: string, peerClusterId: string, options: { signal?: AbortSignal } = {}): Promise<IssuedCertificate> {
    if (!this.replicator.isLeaderReady()) throw new NotLeaderError(this.replicator.role(), this.replicator.leaderHint());
    if (peerClusterId !== this.clusterId) {
      throw new ScmServiceError('SCM_CLUSTER_ID_MISMATCH', `SCM ClusterId mismatch. Peer SCM ClusterId ${peerClusterId}, primary SCM ClusterId ${this.clusterId}`);
    }
    const serial = String(await this.seq.next('CertificateId', options));
    const certPem = signCsr(this.signer.ca, csrPem, { serial, clusterId: this.clusterId });
    const res = await this.replicator.submit({ type: 'storeValidCertificate', serial, pem: certPem, role: 'SCM' }, options);
    if (!res.ok) throw new ScmServiceError('SCM_ALLOCATION_FAILED', `could not record certificate ${serial}: ${res.message}`);
    return { serial, certPem, chain: this.signer.chain, root: this.signer.root };
  }
}
