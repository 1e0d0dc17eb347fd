using ModelZoo.Data;

namespace LoaderBench;

/// <summary>The same samples <c>times</c> over, to get enough images to time.</summary>
internal sealed class RepeatedDataset(IImageDataset inner, int times) : IImageDataset
{
    public int Count => inner.Count * times;
    public IReadOnlyList<string> ClassNames => inner.ClassNames;
    public int Channels => inner.Channels;
    public int LabelOf(int index) => inner.LabelOf(index % inner.Count);
    public ImageSample Get(int index) => inner.Get(index % inner.Count);
    public string Describe(int index) => inner.Describe(index % inner.Count);
}
