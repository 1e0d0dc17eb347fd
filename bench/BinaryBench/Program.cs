// XNOR-popcount vs float path of one BinaryLinear at batch 1 (eval mode, CPU, one torch thread).
// Usage: BinaryBench [in] [out] [iterations]   (default 3136 256 2000: bnn-mnist's classifier.0)
using System.Diagnostics;
using System.Globalization;
using ModelZoo.Blocks;
using ModelZoo.Blocks.Binary;
using TorchSharp;
using static TorchSharp.torch;

int inFeatures = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3136;
int outFeatures = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 256;
int iterations = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2000;
torch.set_num_threads(1);
var layer = new BinaryLinear(new LinearSpec(inFeatures, outFeatures), new BinaryLayerOptions { Scaling = true });
using (torch.no_grad()) layer.Weight.copy_(torch.rand(outFeatures, inFeatures).mul(2).sub(1));
layer.eval();
var xnor = new XnorLinear(layer);
var input = torch.randn(1, inFeatures);
var inputArray = input.data<float>().ToArray();
var output = new float[outFeatures];
var scratch = new ulong[xnor.Words];

double Time(Action step)
{
    for (int i = 0; i < iterations / 10 + 1; i++) step();
    var clock = Stopwatch.StartNew();
    for (int i = 0; i < iterations; i++) step();
    return clock.Elapsed.TotalMilliseconds * 1000 / iterations;
}

double floatUs = Time(() =>
{
    using var scope = torch.NewDisposeScope();
    using var noGrad = torch.no_grad();
    layer.call(input);
});
// The float path with the weights binarised once (what a float inference engine would run): sign(x) W_b^T * alpha + b.
var signedWeight = BinarySign.Sign(layer.Weight).detach();
var alpha = layer.CurrentScale()!.detach();
double matmulUs = Time(() =>
{
    using var scope = torch.NewDisposeScope();
    using var noGrad = torch.no_grad();
    nn.functional.linear(BinarySign.Sign(input), signedWeight).mul(alpha).add(layer.Bias!);
});
double xnorUs = Time(() => xnor.Forward(inputArray, output, scratch));
Tensor expected;
using (torch.no_grad()) expected = layer.call(input);
bool same = expected.data<float>().ToArray().SequenceEqual(output);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"BinaryLinear {inFeatures}->{outFeatures} batch 1: float path {floatUs:F1} us (pre-binarised weights {matmulUs:F1} us), XNOR-popcount {xnorUs:F1} us ({floatUs / xnorUs:F1}x, {matmulUs / xnorUs:F1}x), identical output: {same}; "
    + $"packed weights {xnor.PackedBytes:N0} B vs float32 {4L * inFeatures * outFeatures:N0} B"));
return same ? 0 : 1;
