using ModelZoo.Data;
using ModelZoo.Data.Transforms;
using ModelZoo.Tests.Data.Folders;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace ModelZoo.Tests.Data.Transforms;

/// <summary>
/// Writes the pictures in <c>docs/images/transforms/</c>: each transform applied with four seeds to a real photo
/// (or an MNIST digit). Run on demand: <c>dotnet test --filter Name=WriteTransformGallery</c>.
/// </summary>
[Explicit("writes docs/images/transforms/*.png")]
public class TransformGallery
{
    private const int Tile = 112;

    [Test]
    public void WriteTransformGallery()
    {
        string outDir = Path.Combine(ImageTestData.RepoRoot, "docs", "images", "transforms");
        Directory.CreateDirectory(outDir);
        var photo = ImageTestData.RealImage(3);
        var digit = ImageTestData.FirstMnistDigit();

        var photos = new (string Name, ITransform T)[]
        {
            ("original", Identity.Instance),
            ("random-rotation", new RandomRotation(30)),
            ("random-translation", new RandomTranslation(0.2, 0.2)),
            ("random-crop", new RandomCrop(224, padding: 28)),
            ("random-horizontal-flip", new RandomHorizontalFlip()),
            ("random-scale", new RandomScale(0.7, 1.3)),
            ("random-affine", new RandomAffine(15, 0.1, 0.8, 1.2)),
            ("random-resized-crop", new RandomResizedCrop(224)),
            ("resize-center-crop", new Compose(new Resize(160), new CenterCrop(112))),
            ("color-jitter", new ColorJitter(0.4, 0.4, 0.4, 0.1)),
            ("random-erasing", new RandomErasing(p: 1, value: 0.5f)),
            ("preset-imagenet", TransformPresets.ImageNetTrain(224)),
            ("preset-strong", TransformPresets.Strong(224)),
        };
        foreach (var (name, t) in photos) Save(Path.Combine(outDir, name + ".png"), photo, t);

        var digits = new (string Name, ITransform T)[]
        {
            ("mnist-original", Identity.Instance),
            ("preset-mnist", TransformPresets.MnistTrain()),
        };
        foreach (var (name, t) in digits) Save(Path.Combine(outDir, name + ".png"), digit, t);
    }

    private static void Save(string path, FloatImage source, ITransform transform)
    {
        using var strip = new Image<Rgb24>(4 * Tile + 3 * 4, Tile, new Rgb24(255, 255, 255));
        for (int k = 0; k < 4; k++)
        {
            var img = transform.Apply(source.Clone(), new Random(1000 + k));
            var shown = ForDisplay(img);
            for (int y = 0; y < Tile; y++)
            {
                for (int x = 0; x < Tile; x++)
                {
                    // Nearest-neighbour sampling into the tile (keeps small digits crisp).
                    int sy = y * shown.Height / Tile, sx = x * shown.Width / Tile;
                    byte r = ToByte(shown[0, sy, sx]);
                    byte g = shown.Channels == 3 ? ToByte(shown[1, sy, sx]) : r;
                    byte b = shown.Channels == 3 ? ToByte(shown[2, sy, sx]) : r;
                    strip[k * (Tile + 4) + x, y] = new Rgb24(r, g, b);
                }
            }
        }

        strip.SaveAsPng(path);
    }

    /// <summary>Normalised images are mapped back to [0, 1] by min-max for display.</summary>
    private static FloatImage ForDisplay(FloatImage img)
    {
        float min = img.Data.Min(), max = img.Data.Max();
        if (min >= 0 && max <= 1) return img;
        var copy = img.Clone();
        for (int i = 0; i < copy.Data.Length; i++) copy.Data[i] = (copy.Data[i] - min) / Math.Max(1e-6f, max - min);
        return copy;
    }

    private static byte ToByte(float v) => (byte)Math.Clamp((int)Math.Round(v * 255), 0, 255);
}
