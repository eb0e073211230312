package org.blades.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.blades.cli.DetectionFixture.BAD_IMAGES;
import static org.blades.cli.DetectionFixture.TINY;
import static org.blades.cli.DetectionFixture.concat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.blades.cli.DetectionFixture.Run;
import org.blades.embed.FeatureFile;
import org.blades.embed.ImageEncoder;
import org.blades.models.vision.ResNet;
import org.blades.models.vision.ResNetConfig;
import org.blades.nn.Checkpoint;
import org.blades.nn.Module;
import org.blades.nn.PortableInit;
import org.blades.nn.StateDict;
import org.blades.tensor.DType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbedCommandTest {

    @TempDir
    Path tmp;
    Path dir;
    Path out;

    /** Four good images, a truncated JPEG between them and a file that only claims to be one. */
    @BeforeEach
    void folder() throws IOException {
        dir = tmp.resolve("faces");
        DetectionFixture.images(dir, "a", 2, "png", 24, true, 1);
        Files.copy(BAD_IMAGES.resolve("truncated.jpg"), dir.resolve("b-cut.jpg"));
        DetectionFixture.images(dir.resolve("sub"), "c", 2, "jpg", 30, true, 2);
        Files.copy(BAD_IMAGES.resolve("not-an-image.jpg"), dir.resolve("fake.jpg"));
        out = tmp.resolve("features.safetensors");
    }

    private Run embed(String... extra) {
        return DetectionFixture.run(EmbedCommand::run, concat(concat(new String[] {dir.toString(), "--out",
            out.toString(), "--batch", "3"}, TINY), extra));
    }

    @Test
    void embedsAFolderListsBadImagesAndReusesRowsByContent() throws IOException {
        Run r = embed();
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("embedded 4 of 6 images (reused 0, computed 4), 2 failed (1 truncated, 1 unsupported)")
                .contains("features (4, 768)").contains("wrote " + out);
        assertThat(r.err()).contains("b-cut.jpg: truncated").contains("fake.jpg: unsupported").contains("embed [");
        FeatureFile f = FeatureFile.read(out);
        assertThat(f.rows()).extracting(FeatureFile.Row::path).containsExactly(dir + "/a0.png", dir + "/a1.png",
                dir + "/sub/c0.jpg", dir + "/sub/c1.jpg");
        assertThat(f.failures()).extracting(FeatureFile.Failure::reason).containsExactly("truncated", "unsupported");
        assertThat(f.failures().get(0).sha256()).hasSize(64);
        for (FeatureFile.Row row : f.rows()) {
            double norm = 0;
            for (float v : row.feature()) {
                norm += v * v;
            }
            assertThat(Math.sqrt(norm)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
        }
        assertThat(f.encoder().sha256()).isEqualTo(ImageEncoder.preset("tiny", 0).id().sha256());
        assertThat(f.options().preprocess().height()).isEqualTo(32);

        // Unchanged files and a renamed one are found by their SHA-256; only the changed file is computed again.
        Files.move(dir.resolve("a1.png"), dir.resolve("renamed.png"));
        DetectionFixture.images(dir.resolve("sub"), "c", 1, "jpg", 30, true, 99);
        Run again = embed();
        assertThat(again.code()).as(again.toString()).isZero();
        assertThat(again.out()).contains("embedded 4 of 6 images (reused 3, computed 1)");
        FeatureFile g = FeatureFile.read(out);
        Map<String, float[]> old = f.bySha256();
        for (FeatureFile.Row row : g.rows()) {
            if (old.containsKey(row.sha256())) {
                assertThat(row.feature()).isEqualTo(old.get(row.sha256()));
            }
        }
        assertThat(g.rows()).extracting(FeatureFile.Row::path).contains(dir + "/renamed.png");
        assertThat(tmp).isDirectoryNotContaining("glob:**/.features*.tmp");
    }

    @Test
    void anotherEncoderOrPreprocessingNeverReusesTheCache() throws IOException {
        assertThat(embed().code()).isZero();
        FeatureFile first = FeatureFile.read(out);

        Run seed = embed("--init-seed", "1");
        assertThat(seed.code()).as(seed.toString()).isZero();
        assertThat(seed.err()).contains("not reusing " + out);
        assertThat(seed.out()).contains("(reused 0, computed 4)");
        FeatureFile second = FeatureFile.read(out);
        assertThat(second.encoder().sha256()).isNotEqualTo(first.encoder().sha256());
        assertThat(second.key()).isNotEqualTo(first.key());
        assertThat(second.rows().get(0).feature()).isNotEqualTo(first.rows().get(0).feature());

        String[] at40 = {dir.toString(), "--out", out.toString(), "--preset", "tiny", "--init-seed", "1",
            "--input-size", "40"};
        Run size = DetectionFixture.run(EmbedCommand::run, at40);
        assertThat(size.out()).as(size.toString()).contains("(reused 0, computed 4)");
        Run jpeg = DetectionFixture.run(EmbedCommand::run, concat(at40, "--jpeg", "80"));
        assertThat(jpeg.out()).as(jpeg.toString()).contains("(reused 0, computed 4)")
                .contains("re-encoded as JPEG quality 80");
        Run same = DetectionFixture.run(EmbedCommand::run, concat(at40, "--jpeg", "80"));
        assertThat(same.out()).as(same.toString()).contains("(reused 4, computed 0)");
        Run noReuse = DetectionFixture.run(EmbedCommand::run, concat(at40, "--jpeg", "80", "--no-reuse"));
        assertThat(noReuse.out()).as(noReuse.toString()).contains("(reused 0, computed 4)");
    }

    @Test
    void readsIndexesListsAndSingleImages() throws IOException {
        Path index = tmp.resolve("index.jsonl");
        assertThat(DetectionFixture.run(IndexCommand::run, dir.toString(), "--out", index.toString()).code()).isZero();
        Path list = tmp.resolve("lists/some.txt");
        Files.createDirectories(list.getParent());
        Files.writeString(list, "# two of them and one that is gone\n../faces/a0.png\n\n../faces/gone.png\n"
                + dir.resolve("sub/c1.jpg").toAbsolutePath() + "\n");
        Run r = DetectionFixture.run(EmbedCommand::run, concat(new String[] {index.toString(), list.toString(),
            dir.resolve("a1.png").toString(), "--out", out.toString()}, TINY));
        assertThat(r.code()).as(r.toString()).isZero();
        FeatureFile f = FeatureFile.read(out);
        // the index names all six files; the list's a0 and c1 and the single a1 are duplicates of index entries
        assertThat(f.rows()).hasSize(4);
        assertThat(f.failures()).extracting(FeatureFile.Failure::reason)
                .containsExactly("truncated", "unsupported", "unreadable");
        assertThat(f.failures().get(2).path()).isEqualTo(tmp.resolve("lists/../faces/gone.png").normalize().toString());
        assertThat(f.failures().get(2).error()).contains("no such file");
    }

    @Test
    void anIndexWithARelativeRootIsReadFromItsOwnFolder() throws IOException {
        Path index = tmp.resolve("index.jsonl");
        assertThat(DetectionFixture.run(IndexCommand::run, dir.toString(), "--out", index.toString()).code()).isZero();
        List<String> lines = Files.readAllLines(index);
        lines.set(0, lines.get(0).replace("\"root\":\"" + dir + "\"", "\"root\":\"faces\""));
        assertThat(lines.get(0)).contains("\"root\":\"faces\"");
        Files.write(index, lines);
        Run r = DetectionFixture.run(EmbedCommand::run, concat(new String[] {index.toString(), "--out", out.toString()},
                TINY));
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(FeatureFile.read(out).rows()).hasSize(4);
    }

    /** A module holding a ResNet under "visual", as the pretraining model does. */
    private static final class Holder extends Module {
        Holder(ResNet r) {
            child("visual", r);
        }
    }

    @Test
    void loadsTheEncoderFromCheckpointsAndPlainWeightsWithOneHash() throws IOException {
        ResNet net = new ResNet(DType.F32, ResNetConfig.tiny().withOutDim(16));
        PortableInit.init(net, 7);
        Path plain = tmp.resolve("plain.safetensors");
        StateDict.save(net, plain, Map.of());
        Path ckpt = tmp.resolve("run/checkpoint.safetensors");
        Files.createDirectories(ckpt.getParent());
        // as blades pretrain writes them: the run's config in the checkpoint, the encoder alone beside it
        Checkpoint.of(new Holder(net), Map.of(), Map.of("config", Map.of("preset", Map.of("name", "tiny",
                "input_size", 36L)))).write(ckpt);
        StateDict.save(net, ckpt.resolveSibling("visual.safetensors"), Map.of("format", "blades-visual/1", "preset",
                "tiny"));

        ImageEncoder a = ImageEncoder.load(plain);
        ImageEncoder b = ImageEncoder.load(ckpt);
        assertThat(a.id().sha256()).isEqualTo(b.id().sha256()).isEqualTo(ImageEncoder.weightsSha256(net));
        assertThat(a.id().config()).isEqualTo(ResNetConfig.tiny().withOutDim(16));
        assertThat(a.inputSizeHint()).isNull();
        assertThat(b.inputSizeHint()).isEqualTo(36);
        assertThat(b.id().source()).contains("checkpoint").contains("model.visual.");

        Run r = DetectionFixture.run(EmbedCommand::run, dir.toString(), "--out", out.toString(), "--encoder",
                ckpt.toString());
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("features (4, 16)").contains("inputs 36x36");

        // a run directory: its visual.safetensors, with the input size of the config.json beside it
        Files.writeString(ckpt.resolveSibling("config.json"), "{\"preset\": {\"name\": \"tiny\", \"input_size\": 40}}");
        ImageEncoder run = ImageEncoder.load(ckpt.getParent());
        assertThat(run.id().sha256()).isEqualTo(a.id().sha256());
        assertThat(run.id().source()).contains("visual.safetensors");
        assertThat(run.inputSizeHint()).isEqualTo(40);
        Files.delete(ckpt.resolveSibling("visual.safetensors"));
        assertThat(ImageEncoder.load(ckpt.getParent()).inputSizeHint()).isEqualTo(36);

        // a checkpoint whose bytes no longer match its sidecar is refused before anything is loaded
        byte[] bytes = Files.readAllBytes(ckpt);
        bytes[bytes.length - 1] ^= 1;
        Files.write(ckpt, bytes);
        Run bad = DetectionFixture.run(EmbedCommand::run, dir.toString(), "--out", out.toString(), "--encoder",
                ckpt.toString());
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).contains("SHA-256 mismatch").doesNotContain("\tat ");
    }

    @Test
    void badUsageIsOneLineWithExitCode2() {
        for (String[] args : List.of(new String[0], new String[] {dir.toString()},
                new String[] {dir.toString(), "--out", "x", "--bogus"},
                new String[] {tmp.resolve("missing").toString(), "--out", "x", "--preset", "tiny"},
                new String[] {dir.toString(), "--out", "x"},
                new String[] {dir.toString(), "--out", "x", "--preset", "tiny", "--encoder", "y"},
                new String[] {dir.toString(), "--out", "x", "--encoder", tmp.resolve("none").toString()},
                new String[] {dir.toString(), "--out", "x", "--preset", "huge"},
                new String[] {dir.toString(), "--out", "x", "--preset", "tiny", "--jpeg", "101"})) {
            Run r = DetectionFixture.run(EmbedCommand::run, args);
            assertThat(r.code()).as(String.join(" ", args) + "\n" + r).isEqualTo(2);
            assertThat(r.err().strip().lines()).as(r.err()).hasSize(1);
            assertThat(r.err()).startsWith("embed: ").contains("see blades embed --help");
        }
        Run help = DetectionFixture.run(EmbedCommand::run, "--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("usage: blades embed").contains("--encoder PATH").contains("Exit code");
    }
}
