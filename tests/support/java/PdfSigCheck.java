// An independent PDF signature check for the tests: Apache PDFBox reads the signatures and
// their byte ranges, Bouncy Castle verifies each CMS SignedData over those bytes and, when the
// signature carries one, its RFC 3161 timestamp token (imprint = hash of the signature value).
// One line per signature: field<TAB>signature-ok<TAB>timestamp (none|ok|bad)<TAB>certificates.
// Nothing here comes from the platform's code: it is the peer tool the tests compare against.
import java.io.File;
import java.security.MessageDigest;
import java.util.Collection;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.interactive.digitalsignature.PDSignature;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.AttributeTable;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.tsp.TimeStampToken;
import org.bouncycastle.util.Store;

public class PdfSigCheck {
    public static void main(String[] args) throws Exception {
        java.security.Security.addProvider(new BouncyCastleProvider());
        byte[] file = java.nio.file.Files.readAllBytes(new File(args[0]).toPath());
        try (PDDocument document = PDDocument.load(file)) {
            for (PDSignature signature : document.getSignatureDictionaries()) {
                String name = signature.getName() == null ? "" : signature.getName();
                byte[] signed = signature.getSignedContent(file);
                byte[] contents = signature.getContents(file);
                String sub = signature.getSubFilter();
                boolean ok = false;
                String ts = "none";
                int certificates = 0;
                try {
                    if ("ETSI.RFC3161".equals(sub)) {
                        TimeStampToken token = new TimeStampToken(new CMSSignedData(contents));
                        X509CertificateHolder cert = (X509CertificateHolder) token.getCertificates().getMatches(token.getSID()).iterator().next();
                        token.validate(new JcaSimpleSignerInfoVerifierBuilder().setProvider("BC").build(cert));
                        byte[] digest = MessageDigest.getInstance("SHA-256").digest(signed);
                        ok = java.util.Arrays.equals(digest, token.getTimeStampInfo().getMessageImprintDigest());
                        certificates = token.getCertificates().getMatches(null).size();
                    } else {
                        CMSSignedData data = new CMSSignedData(new CMSProcessableByteArray(signed), contents);
                        Store<X509CertificateHolder> store = data.getCertificates();
                        certificates = store.getMatches(null).size();
                        ok = true;
                        for (SignerInformation signer : data.getSignerInfos().getSigners()) {
                            Collection<X509CertificateHolder> matches = store.getMatches(signer.getSID());
                            X509CertificateHolder cert = matches.iterator().next();
                            ok &= signer.verify(new JcaSimpleSignerInfoVerifierBuilder().setProvider("BC").build(cert));
                            AttributeTable unsigned = signer.getUnsignedAttributes();
                            Attribute stamp = unsigned == null ? null
                                : unsigned.get(PKCSObjectIdentifiers.id_aa_signatureTimeStampToken);
                            if (stamp != null) {
                                TimeStampToken token = new TimeStampToken(new CMSSignedData(
                                    stamp.getAttrValues().getObjectAt(0).toASN1Primitive().getEncoded()));
                                X509CertificateHolder tsaCert = (X509CertificateHolder) token.getCertificates()
                                    .getMatches(token.getSID()).iterator().next();
                                token.validate(new JcaSimpleSignerInfoVerifierBuilder().setProvider("BC").build(tsaCert));
                                String algorithm = token.getTimeStampInfo().getMessageImprintAlgOID().getId();
                                MessageDigest md = MessageDigest.getInstance(
                                    algorithm.equals("2.16.840.1.101.3.4.2.1") ? "SHA-256" : algorithm);
                                byte[] imprint = md.digest(signer.getSignature());
                                ts = java.util.Arrays.equals(imprint, token.getTimeStampInfo().getMessageImprintDigest()) ? "ok" : "bad";
                            }
                        }
                    }
                } catch (Exception e) {
                    ok = false;
                    System.err.println(name + ": " + e);
                }
                System.out.println(name + "\t" + ok + "\t" + ts + "\t" + certificates + "\t" + sub);
            }
        }
    }
}
