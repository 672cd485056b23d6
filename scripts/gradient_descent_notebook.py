"""Run: python3 scripts/gradient_descent_notebook.py content/gradient-descent-notebook.ipynb
Writes content/gradient-descent-notebook.ipynb: a tiny gradient-descent demo.
The plot is drawn pixel by pixel and encoded as PNG with zlib only."""
import base64, json, struct, zlib

# The run the notebook shows: f(x) = (x - 3)^2, x0 = 0, eta = 0.2.
eta, x = 0.2, 0.0
xs, losses = [], []
for t in range(12):
    xs.append(x); losses.append((x - 3) ** 2)
    x = x - eta * 2 * (x - 3)

W, H, M = 240, 140, 16
img = [[(255, 255, 255)] * W for _ in range(H)]
def put(px, py, c):
    if 0 <= px < W and 0 <= py < H:
        img[py][px] = c
axis, line, dot = (120, 120, 120), (180, 69, 31), (11, 92, 173)
for px in range(M, W - M): put(px, H - M, axis)
for py in range(M, H - M + 1): put(M, py, axis)
top = max(losses)
def to_px(i, v):
    return (M + round(i * (W - 2 * M) / (len(losses) - 1)),
            H - M - round(v / top * (H - 2 * M)))
pts = [to_px(i, v) for i, v in enumerate(losses)]
for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
    steps = max(abs(x1 - x0), abs(y1 - y0), 1)
    for s in range(steps + 1):
        put(round(x0 + (x1 - x0) * s / steps), round(y0 + (y1 - y0) * s / steps), line)
for (px, py) in pts:
    for dx in (-2, -1, 0, 1, 2):
        for dy in (-2, -1, 0, 1, 2):
            if dx * dx + dy * dy <= 4: put(px + dx, py + dy, dot)
raw = b"".join(b"\x00" + bytes(v for p in row for v in p) for row in img)
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", W, H, 8, 2, 0, 0, 0))
       + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))

def lines(text):
    parts = text.split("\n")
    return [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])

printed = "".join(f"t={t:2d}  x={x:.4f}  f(x)={v:.5f}\n" for t, (x, v) in enumerate(zip(xs, losses)) if t % 2 == 0 or t == 11)
code1 = """def f(x):
    return (x - 3) ** 2

def grad(x):
    return 2 * (x - 3)

eta, x = 0.2, 0.0
xs, losses = [], []
for t in range(12):
    xs.append(x)
    losses.append(f(x))
    x = x - eta * grad(x)

for t in range(0, 12, 2):
    print(f"t={t:2d}  x={xs[t]:.4f}  f(x)={losses[t]:.5f}")
print(f"t=11  x={xs[11]:.4f}  f(x)={losses[11]:.5f}")"""
printed = "".join(f"t={t:2d}  x={xs[t]:.4f}  f(x)={losses[t]:.5f}\n" for t in range(0, 12, 2)) + f"t=11  x={xs[11]:.4f}  f(x)={losses[11]:.5f}\n"
code2 = """import matplotlib.pyplot as plt

plt.figure(figsize=(2.4, 1.4), dpi=100)
plt.plot(losses, marker="o")
plt.xlabel("t"); plt.ylabel("f(x)")
plt.show()"""
ratio = 1 - 2 * eta
cells = [
    {"cell_type": "raw", "metadata": {}, "source": lines("---\ntitle: 用一个笔记本看梯度下降怎样收敛\ndate: 2025-09-14 21:10\ntags: [优化器, Jupyter]\ncategories: 深度学习\n---\n")},
    {"cell_type": "markdown", "metadata": {}, "source": lines(
        "这篇是一个 Jupyter 笔记本，直接由 blogsmith 渲染：Markdown 单元照常排版，代码单元带着当时运行的输出。"
        "用它来做一个最小的实验：在一维二次函数上跑梯度下降，看误差每一步缩小多少。\n\n"
        "## 问题\n\n"
        "目标函数取 $f(x) = (x-3)^2$，最小值在 $x^\\star = 3$。梯度是 $f'(x) = 2(x-3)$，更新规则为\n\n"
        "$$\nx_{t+1} = x_t - \\eta\\, f'(x_t) = x_t - 2\\eta\\,(x_t - 3).\n$$\n\n"
        "两边同时减去 3，得到误差的递推 $x_{t+1} - 3 = (1 - 2\\eta)(x_t - 3)$：误差每步乘以同一个因子 $1-2\\eta$。"
        "只要 $0 < \\eta < 1$，这个因子的绝对值小于 1，迭代就收敛；函数值是误差的平方，所以按 $(1-2\\eta)^2$ 的比例下降。")},
    {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [
        {"output_type": "stream", "name": "stdout", "text": lines(printed)}], "source": lines(code1)},
    {"cell_type": "markdown", "metadata": {}, "source": lines(
        f"取 $\\eta = 0.2$ 时因子是 ${ratio:.1f}$，每一步误差变成上一步的六成，函数值变成上一步的 $0.36$ 倍。"
        "上面打印的数字正好符合：从 $f(x_0) = 9$ 出发，十一步之后已经降到千分之一以下。\n\n"
        "## 画出来\n\n下图是同一组 `losses`，纵轴是函数值，横轴是步数。")},
    {"cell_type": "code", "execution_count": 2, "metadata": {}, "outputs": [
        {"output_type": "display_data", "metadata": {}, "data": {
            "image/png": base64.b64encode(png).decode() + "\n",
            "text/plain": ["<Figure size 240x140 with 1 Axes>"]}}], "source": lines(code2)},
    {"cell_type": "markdown", "metadata": {}, "source": lines(
        "## 小结\n\n"
        "- 在二次函数上，梯度下降的误差按固定比例 $|1-2\\eta|$ 缩小，这就是“线性收敛”。\n"
        "- 步长超过 $1$ 时因子的绝对值大于 1，迭代会来回震荡并发散；可以把 `eta` 改成 `1.1` 自己试一试。\n"
        "- 多维的二次函数里，起作用的是 Hessian 最大特征值：步长要小于它的倒数的两倍。")},
]
nb = {"cells": cells, "metadata": {
    "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
    "language_info": {"name": "python", "version": "3.12"}}, "nbformat": 4, "nbformat_minor": 5}
import sys
open(sys.argv[1], "w").write(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
