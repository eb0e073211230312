package org.blades.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The vendored vocabulary files are byte-for-byte the official ones (the digests of the OpenAI
 * originals, as listed in ../shared/README.md), and the generated entity table is the one the
 * corpus was made with.
 */
class TokenizerResourcesTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "bpe_simple_vocab_16e6.txt.gz, 924691ac288e54409236115652ad4aa250f48203de50a9e4722a6ecd48d6804a",
        "encoder.json,                 196139668be63f3b5d6574427317ae82f612a97c5d1cdaf36ed2256dbf636783",
        "vocab.bpe,                    1ce1664773c50f3e0cc8842619a93edc4624525b728b188a9e0be33b7726adc5",
        "LICENSE.clip-bpe,             987e63b32f6c89ff5160e429458a872ff048e6860b590a3912e938f9da8f14db",
        "LICENSE.gpt2-bpe,             55c21bb37e0f9dc0f33b5cb35991ab3951eb04799fb70bd7b7d807abcacc002e",
        "html5-entities.txt,           5bca75dc8b1897d6b27989c2ac37178440d859f46d2cddad99030474dd524478",
    })
    void resourceHasItsRecordedSha256(String name, String sha256) throws IOException, NoSuchAlgorithmException {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = TokenizerResourcesTest.class.getResourceAsStream("/org/blades/text/" + name)) {
            assertThat(in).as("classpath resource org/blades/text/%s", name).isNotNull();
            digest.update(in.readAllBytes());
        }
        assertThat(HexFormat.of().formatHex(digest.digest())).as("SHA-256 of %s", name).isEqualTo(sha256);
    }
}
