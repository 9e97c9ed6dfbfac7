package dev.descent.data;

import dev.descent.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Fashion-MNIST (Xiao, Rasul &amp; Vollgraf, "Fashion-MNIST: a novel image dataset for benchmarking
 * machine learning algorithms", arXiv:1708.07747, 2017): 60,000 training and 10,000 test images of
 * 28×28 grey pixels in 10 classes, read from the four IDX files.
 *
 * <p>Pixels become float32 {@code byte / 255} in [0, 1], each image flattened row by row to 784
 * values (as {@code torch.from_numpy(x).float() / 255} in the peer benchmark); labels are ints in
 * [0, 10). By default the files are read from {@value #DEFAULT_DIRECTORY_NAME}, where Debian's
 * {@code dataset-fashion-mnist} package installs them; each file may be gzip-compressed
 * ({@code name.gz}) or raw ({@code name}).
 */
public final class FashionMnist {
    static final String DEFAULT_DIRECTORY_NAME = "/usr/share/datasets/fashion-mnist";
    /** Where Debian's {@code dataset-fashion-mnist} package installs the IDX files. */
    public static final Path DEFAULT_DIRECTORY = Path.of(DEFAULT_DIRECTORY_NAME);
    /** Number of classes. */
    public static final int CLASSES = 10;
    /** Image side in pixels. */
    public static final int SIDE = 28;
    /** The class names, by label. */
    public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private FashionMnist() {}

    /** The training and test sets. */
    public record Splits(Dataset train, Dataset test) {}

    /** Loads both sets from {@link #DEFAULT_DIRECTORY}. */
    public static Splits load() throws IOException {
        return load(DEFAULT_DIRECTORY);
    }

    /**
     * Loads both sets from {@code directory}, which must hold {@code train-images-idx3-ubyte},
     * {@code train-labels-idx1-ubyte}, {@code t10k-images-idx3-ubyte} and
     * {@code t10k-labels-idx1-ubyte}, each optionally with a {@code .gz} suffix.
     *
     * @throws DatasetNotFoundException if the directory or one of the files is missing
     * @throws DataFormatException if a file is corrupt, or images and labels disagree
     */
    public static Splits load(Path directory) throws IOException {
        Path trainImages = locate(directory, "train-images-idx3-ubyte");
        Path trainLabels = locate(directory, "train-labels-idx1-ubyte");
        Path testImages = locate(directory, "t10k-images-idx3-ubyte");
        Path testLabels = locate(directory, "t10k-labels-idx1-ubyte");
        return new Splits(load(trainImages, trainLabels), load(testImages, testLabels));
    }

    /**
     * One set from an images file and a labels file: features float32 {@code [N, 784]} in
     * [0, 1], labels in [0, 10).
     */
    public static Dataset load(Path imagesFile, Path labelsFile) throws IOException {
        IdxReader.IdxArray images = IdxReader.readImages(imagesFile);
        int[] labels = IdxReader.readLabels(labelsFile);
        int count = images.dims()[0], rows = images.dims()[1], cols = images.dims()[2];
        if (labels.length != count) {
            throw new DataFormatException(labelsFile, "holds " + labels.length + " labels but " + imagesFile
                    + " holds " + count + " images");
        }
        if (rows != SIDE || cols != SIDE) {
            throw new DataFormatException(imagesFile, "images are " + rows + "x" + cols + ", expected " + SIDE + "x" + SIDE);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] >= CLASSES) {
                throw new DataFormatException(labelsFile, "label " + labels[i] + " at index " + i + " outside [0, " + CLASSES + ")");
            }
        }
        byte[] px = images.data();
        float[] x = new float[px.length];
        for (int i = 0; i < px.length; i++) x[i] = (px[i] & 0xFF) / 255f;
        return Dataset.classification(Tensor.wrap(x, count, rows * cols), labels, CLASSES);
    }

    private static Path locate(Path directory, String base) throws DatasetNotFoundException {
        if (!Files.isDirectory(directory)) {
            throw new DatasetNotFoundException(directory, "no such directory; install Fashion-MNIST with "
                    + "'apt-get install dataset-fashion-mnist' or use a directory holding its IDX files");
        }
        Path gz = directory.resolve(base + ".gz");
        if (Files.isRegularFile(gz)) return gz;
        Path raw = directory.resolve(base);
        if (Files.isRegularFile(raw)) return raw;
        throw new DatasetNotFoundException(directory, "no " + base + ".gz (or " + base + ") here; install Fashion-MNIST with "
                + "'apt-get install dataset-fashion-mnist' or use a directory holding its IDX files");
    }
}
