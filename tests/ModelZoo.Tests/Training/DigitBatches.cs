using ModelZoo.Data;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Training;

/// <summary>A deterministic in-memory <see cref="IBatchSource"/> over the first samples of the real MNIST subset.</summary>
internal sealed class DigitBatches : IBatchSource
{
    private readonly int _offset;
    private readonly int _count;
    private readonly int _batchSize;
    private readonly bool _shuffle;

    public DigitBatches(int offset, int count, int batchSize, bool shuffle = true)
    {
        _offset = offset;
        _count = count;
        _batchSize = batchSize;
        _shuffle = shuffle;
    }

    public int SamplesPerEpoch => BatchesPerEpoch * _batchSize;

    public int BatchesPerEpoch => _count / _batchSize;

    public int EpochsRequested { get; private set; }

    public IEnumerable<Batch> GetEpoch(int epoch, CancellationToken cancellationToken = default)
    {
        EpochsRequested++;
        var (images, labels, _) = SharedMnist.TrainSet;
        int[] order = Enumerable.Range(0, _count).ToArray();
        if (_shuffle) new Random(1234 + epoch).Shuffle(order);
        for (int b = 0; b < BatchesPerEpoch; b++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var x = new float[_batchSize * 784];
            var y = new long[_batchSize];
            var idx = new int[_batchSize];
            for (int i = 0; i < _batchSize; i++)
            {
                int s = _offset + order[b * _batchSize + i];
                Array.Copy(images, s * 784, x, i * 784, 784);
                y[i] = labels[s];
                idx[i] = s;
            }
            yield return new Batch(tensor(x, [_batchSize, 1, 28, 28]), tensor(y), idx);
        }
    }
}
